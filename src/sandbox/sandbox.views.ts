import { ApiProperty } from '@nestjs/swagger';
import type { TextFile } from './sandbox.service.js';

export class FileEntryView {
  @ApiProperty({ example: 'css/site.css' })
  name!: string;

  @ApiProperty({ example: 567, description: 'bytes' })
  size!: number;
}

export class FileListing {
  @ApiProperty({ type: [FileEntryView] })
  files!: FileEntryView[];

  @ApiProperty({ example: 2691, description: 'bytes, all files' })
  total_size!: number;
}

export class FileContentView {
  @ApiProperty({ example: 'index.html' })
  filename!: string;

  @ApiProperty({ example: '<!DOCTYPE html>\n<html>…' })
  content!: string;

  @ApiProperty({ example: 1234 })
  size!: number;
}

export const toFileContentView = (f: TextFile): FileContentView => ({
  filename: f.filename,
  content: f.content,
  size: f.size,
});

export class FileSavedView {
  @ApiProperty({ example: 'index.html' })
  filename!: string;

  @ApiProperty({ example: 1234 })
  size!: number;

  @ApiProperty({ example: 'File saved successfully' })
  message!: string;
}

export class PreviewTokenView {
  @ApiProperty({ description: 'good only for this session’s preview, static and site routes' })
  token!: string;

  @ApiProperty({
    example: '/api/sessions/12db3c516aae14608a5013905b8c189f/sandbox/preview?token=…',
  })
  url!: string;

  @ApiProperty({ example: '2024-01-15T10:40:00.000Z' })
  expires_at!: string;
}
