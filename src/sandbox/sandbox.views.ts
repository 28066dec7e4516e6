import { ApiProperty } from '@nestjs/swagger';
import type { PreviewErrorRecord } from './preview-errors/preview-errors.repository.js';

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

/** A `TextFile` of the sandbox service, described by its shape so the service and its views import no circle. */
export const toFileContentView = (f: FileContentView): FileContentView => ({
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

export class PreviewErrorView {
  @ApiProperty({ enum: ['error', 'unhandledrejection', 'console.error'], example: 'error' })
  kind!: string;

  @ApiProperty({ example: 'Uncaught TypeError: Cannot read properties of null' })
  message!: string;

  @ApiProperty({ nullable: true, type: String, example: 'http://…/site/…/js/app.js' })
  source!: string | null;

  @ApiProperty({ nullable: true, type: Number, example: 12 })
  line!: number | null;

  @ApiProperty({ nullable: true, type: Number, example: 7 })
  column!: number | null;

  @ApiProperty({ example: 3, description: 'the sandbox version the page was served at' })
  version!: number;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' })
  at!: string;
}

export class PreviewErrorsView {
  @ApiProperty({ type: [PreviewErrorView], description: 'the last 50, newest first' })
  errors!: PreviewErrorView[];
}

export const toPreviewErrorView = (e: PreviewErrorRecord): PreviewErrorView => ({
  kind: e.kind,
  message: e.message,
  source: e.source,
  line: e.line,
  column: e.column,
  version: e.version,
  at: e.at.toISOString(),
});
