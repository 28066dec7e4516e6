import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { FormDialog } from '../ui/FormDialog';

export type FileDialog = 'new' | 'delete' | 'discard' | null;

interface Props {
  dialog: FileDialog;
  /** The open file, which Delete and Discard are about. */
  selected: string | null;
  hasDraft: boolean;
  exists: (name: string) => boolean;
  onCreate: (name: string) => Promise<void>;
  deleting: boolean;
  deleteError: string | null;
  onDelete: (name: string) => void;
  onDiscard: () => void;
  onCancel: () => void;
}

/** The files panel's dialogs: a new file's name, confirming a delete, confirming a discard. */
export function FileDialogs(props: Props) {
  const { dialog, selected, hasDraft } = props;
  return (
    <>
      <NewFileDialog
        open={dialog === 'new'}
        exists={props.exists}
        onCancel={props.onCancel}
        onCreate={props.onCreate}
      />
      <ConfirmDialog
        open={dialog === 'delete' && !!selected}
        title={`Delete ${selected ?? ''}?`}
        message={
          <p>
            {selected} is removed from the sandbox
            {hasDraft ? ', and your unsaved changes to it are lost' : ''}. Its earlier versions stay
            in the history, so it can be restored from Versions.
          </p>
        }
        confirmLabel="Delete"
        danger
        busy={props.deleting}
        error={props.deleteError}
        onConfirm={() => selected && props.onDelete(selected)}
        onCancel={props.onCancel}
      />
      <ConfirmDialog
        open={dialog === 'discard'}
        title="Discard your changes?"
        message={
          <p>Your unsaved changes to {selected} are lost, and the saved file shows again.</p>
        }
        confirmLabel="Discard"
        danger
        onConfirm={props.onDiscard}
        onCancel={props.onCancel}
      />
    </>
  );
}

function NewFileDialog({
  open,
  exists,
  onCancel,
  onCreate,
}: {
  open: boolean;
  exists: (name: string) => boolean;
  onCancel: () => void;
  onCreate: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setName('');
      setProblem(null);
    }
  }, [open]);

  const submit = async () => {
    const trimmed = name.trim();
    if (exists(trimmed)) {
      setProblem(`${trimmed} already exists: open it from the tree instead.`);
      return;
    }
    setBusy(true);
    try {
      await onCreate(trimmed);
    } catch (err) {
      // the service judges the name (400 with the reason)
      setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog
      open={open}
      title="New file"
      submitLabel="Create"
      canSubmit={name.trim() !== ''}
      busy={busy}
      onClose={onCancel}
      onSubmit={() => void submit()}
    >
      <label htmlFor="new-file-name">File name</label>
      <input
        id="new-file-name"
        value={name}
        data-autofocus
        required
        placeholder="e.g. css/site.css"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'new-file-problem' : 'new-file-hint'}
        onChange={(e) => {
          setName(e.target.value);
          setProblem(null);
        }}
      />
      {problem ? (
        <p id="new-file-problem" role="alert" className="error">
          {problem}
        </p>
      ) : (
        <p id="new-file-hint" className="muted small">
          Use / for folders: they are created with the file.
        </p>
      )}
    </FormDialog>
  );
}
