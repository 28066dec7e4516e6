import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

export class RegisterDto {
  @ApiProperty({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$', example: 'johndoe' })
  @IsString()
  @Length(3, 50)
  @Matches(/^[A-Za-z0-9_.-]+$/, {
    message: 'username may contain only letters, digits, "_", "." and "-"',
  })
  username!: string;

  @ApiProperty({ format: 'email', example: 'john@example.com' })
  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @ApiProperty({ minLength: 6, maxLength: 128, example: 'securepass123' })
  @IsString()
  @Length(6, 128)
  password!: string;
}
