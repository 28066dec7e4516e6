import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  /** A username or an email address. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  username!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password!: string;
}
