import { IsString } from 'class-validator';

export class WriteFileDto {
  /** The file's text; its UTF-8 size counts against the per-file and per-session limits. */
  @IsString()
  content!: string;
}
