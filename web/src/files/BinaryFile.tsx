import { errorMessage } from '../api/client';
import { isImage, type LoadedFile } from './file-api';
import { useRawFile } from './hooks/query/use-raw-file';

/** An image shows as itself; other binary files as a note (their text would be garbage). */
export function BinaryFile({ sessionId, file }: { sessionId: string; file: LoadedFile }) {
  const image = isImage(file.filename);
  const raw = useRawFile(sessionId, file, image);
  return (
    <div className="binary-file">
      <p>
        Binary file, {file.size.toLocaleString()} bytes: it cannot be edited here (replace it by
        importing a zip).
      </p>
      {image && raw.data && <img src={raw.data} alt={`Preview of ${file.filename}`} />}
      {raw.isError && (
        <p role="alert" className="error">
          {errorMessage(raw.error)}
        </p>
      )}
    </div>
  );
}
