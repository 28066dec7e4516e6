import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { digitsToInt } from '../../common/http/pagination.js';
import { NoNul } from '../../common/validation/no-nul.js';

export class DiffQueryDto {
  @ApiProperty({ example: 2 })
  @Transform(digitsToInt)
  @IsInt()
  @Min(0)
  from!: number;

  @ApiProperty({ example: 5 })
  @Transform(digitsToInt)
  @IsInt()
  @Min(0)
  to!: number;
}

export class ArchiveQueryDto {
  @ApiPropertyOptional({ description: 'the version to export (default: the current files)' })
  @IsOptional()
  @Transform(digitsToInt)
  @IsInt()
  @Min(0)
  version?: number;
}

export class ImportQueryDto {
  @ApiPropertyOptional({
    description: 'true: files not in the archive are deleted (the sandbox becomes the archive)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  replace?: boolean;
}

export class ForkDto {
  @ApiPropertyOptional({ description: 'the version to fork (default: the current one)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  version?: number;

  @ApiPropertyOptional({ description: 'title of the new session (default: "<title> (fork)")' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoNul()
  title?: string;
}
