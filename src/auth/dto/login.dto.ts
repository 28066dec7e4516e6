import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  /** A username or an email address. */
  @ApiProperty({ description: 'username or email', example: 'johndoe' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  username!: string;

  @ApiProperty({ example: 'securepass123' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password!: string;
}
