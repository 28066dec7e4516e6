import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

export class RegisterDto {
  @IsString()
  @Length(3, 50)
  @Matches(/^[A-Za-z0-9_.-]+$/, {
    message: 'username may contain only letters, digits, "_", "." and "-"',
  })
  username!: string;

  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @IsString()
  @Length(6, 128)
  password!: string;
}
