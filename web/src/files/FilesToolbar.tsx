import type { Schemas } from '../api/client';
import { formatBytes } from './format';

interface Props {
  listing: Schemas['FileListing'] | undefined;
  canDelete: boolean;
  downloading: boolean;
  importing: boolean;
  onNew: () => void;
  onDelete: () => void;
  onDownload: () => void;
  onImport: (zip: File) => void;
}

/** New, Delete, Download zip and Import zip, and the sandbox's file count and size. */
export function FilesToolbar(props: Props) {
  const { listing, canDelete, downloading, importing } = props;
  return (
    <div className="files-toolbar">
      <button type="button" onClick={props.onNew}>
        New file
      </button>
      <button type="button" disabled={!canDelete} onClick={props.onDelete}>
        Delete file
      </button>
      <button type="button" disabled={downloading} onClick={props.onDownload}>
        {downloading ? 'Preparing zip…' : 'Download zip'}
      </button>
      <label className="file-button">
        <input
          type="file"
          accept=".zip,application/zip"
          className="visually-hidden"
          disabled={importing}
          onChange={(e) => {
            const zip = e.target.files?.[0];
            // cleared at once, so choosing the same zip again is a change too
            e.target.value = '';
            if (zip) {
              props.onImport(zip);
            }
          }}
        />
        <span aria-hidden="true">{importing ? 'Importing…' : 'Import zip'}</span>
        <span className="visually-hidden">Import zip</span>
      </label>
      <span className="muted files-total">
        {listing &&
          `${listing.files.length} file${listing.files.length === 1 ? '' : 's'}, ${formatBytes(listing.total_size)}`}
      </span>
    </div>
  );
}
