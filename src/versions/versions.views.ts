import { ApiProperty } from '@nestjs/swagger';
import type { ChangeRow, VersionRow } from '../history/history-types.js';
import { VERSION_SOURCES } from '../history/history-types.js';
import type { Imported } from './archives.service.js';
import type {
  Restored,
  VersionDetail,
  VersionDiff,
  VersionWithChanges,
} from './versions.service.js';

const CHANGES = ['added', 'modified', 'deleted'];

export class VersionChangeView {
  @ApiProperty({ example: 'index.html' })
  filename!: string;

  @ApiProperty({ enum: CHANGES })
  change!: string;

  @ApiProperty({ example: 1234, description: 'bytes after the change (0 when deleted)' })
  size!: number;
}

export class VersionView {
  @ApiProperty({ example: 4, description: 'numbered per session; 0 is the empty sandbox' })
  version!: number;

  @ApiProperty({ example: '2024-01-15T10:31:00.000Z' })
  created_at!: string;

  @ApiProperty({ enum: VERSION_SOURCES })
  source!: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'the assistant message (agent changes)',
  })
  message_id!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'the execution step (agent changes)' })
  step_id!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'restores: the version restored' })
  restored_from!: number | null;

  @ApiProperty({ type: [VersionChangeView] })
  changes!: VersionChangeView[];
}

export class VersionChangeDetailView extends VersionChangeView {
  @ApiProperty({ type: Number, nullable: true, description: 'bytes before (null when added)' })
  size_before!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'unified diff against the version before, for UTF-8 text up to 256 KiB; else null',
  })
  diff!: string | null;
}

export class VersionDetailView extends VersionView {
  @ApiProperty({ type: [VersionChangeDetailView] })
  declare changes: VersionChangeDetailView[];
}

export class DiffChangeView {
  @ApiProperty({ example: 'index.html' })
  filename!: string;

  @ApiProperty({ enum: CHANGES })
  change!: string;

  @ApiProperty({ type: Number, nullable: true })
  size_before!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  size_after!: number | null;

  @ApiProperty({ type: String, nullable: true })
  diff!: string | null;
}

export class DiffView {
  @ApiProperty({ example: 2 })
  from!: number;

  @ApiProperty({ example: 5 })
  to!: number;

  @ApiProperty({ type: [DiffChangeView] })
  changes!: DiffChangeView[];
}

export class RestoredView {
  @ApiProperty({ example: 9, description: 'the version the restore made' })
  version!: number;

  @ApiProperty({ example: 4 })
  restored_from!: number;
}

export class ImportedView {
  @ApiProperty({ example: 9, description: 'the one version the whole archive made' })
  version!: number;

  @ApiProperty({ example: 12, description: 'files in the archive' })
  files!: number;
}

export const toChangeView = (c: ChangeRow): VersionChangeView => ({
  filename: c.path,
  change: c.change,
  size: c.sizeAfter ?? 0,
});

const toVersionFields = (v: VersionRow) => ({
  version: v.version,
  created_at: v.createdAt.toISOString(),
  source: v.source,
  message_id: v.messageId,
  step_id: v.stepId,
  restored_from: v.restoredFrom,
});

export const toVersionView = ({ version, changes }: VersionWithChanges): VersionView => ({
  ...toVersionFields(version),
  changes: changes.map(toChangeView),
});

export const toVersionDetailView = ({ version, changes }: VersionDetail): VersionDetailView => ({
  ...toVersionFields(version),
  changes: changes.map((c) => ({ ...toChangeView(c), size_before: c.sizeBefore, diff: c.diff })),
});

export const toDiffView = (d: VersionDiff): DiffView => ({
  from: d.from,
  to: d.to,
  changes: d.changes.map((c) => ({
    filename: c.path,
    change: c.change,
    size_before: c.sizeBefore,
    size_after: c.sizeAfter,
    diff: c.diff,
  })),
});

export const toRestoredView = (r: Restored): RestoredView => ({
  version: r.version,
  restored_from: r.restoredFrom,
});

export const toImportedView = (i: Imported): ImportedView => ({
  version: i.version,
  files: i.files,
});
