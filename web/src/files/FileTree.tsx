import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { visibleNodes, type TreeNode } from './tree';

interface Props {
  nodes: TreeNode[];
  expanded: ReadonlySet<string>;
  onToggle: (path: string, open: boolean) => void;
  selected: string | null;
  onOpen: (path: string) => void;
  /** Files with unsaved changes, marked in the tree. */
  dirty: ReadonlySet<string>;
}

/**
 * The sandbox as a WAI-ARIA tree: one tab stop (roving tabindex); Up/Down move, Right opens a folder or
 * enters it, Left closes it or goes to its parent, Home/End jump, Enter/Space open a file or toggle a
 * folder.
 */
export function FileTree({ nodes, expanded, onToggle, selected, onOpen, dirty }: Props) {
  const rows = visibleNodes(nodes, expanded);
  const [active, setActive] = useState<string | null>(null);
  const refs = useRef(new Map<string, HTMLLIElement>());
  const idBase = useId();
  const current =
    rows.find((r) => r.node.path === active) ??
    rows.find((r) => r.node.path === selected) ??
    rows[0];

  const focus = (path: string) => {
    setActive(path);
    refs.current.get(path)?.focus();
  };

  const activate = (node: TreeNode) => {
    setActive(node.path);
    if (node.folder) {
      onToggle(node.path, !expanded.has(node.path));
    } else {
      onOpen(node.path);
    }
  };

  const onKeyDown = (e: KeyboardEvent, index: number) => {
    const row = rows[index];
    const { node } = row;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        if (index + 1 < rows.length) {
          focus(rows[index + 1].node.path);
        }
        break;
      case 'ArrowUp':
        if (index > 0) {
          focus(rows[index - 1].node.path);
        }
        break;
      case 'Home':
        focus(rows[0].node.path);
        break;
      case 'End':
        focus(rows[rows.length - 1].node.path);
        break;
      case 'ArrowRight':
        if (node.folder && !expanded.has(node.path)) {
          onToggle(node.path, true);
        } else if (node.folder && node.children.length > 0) {
          focus(node.children[0].path);
        }
        break;
      case 'ArrowLeft':
        if (node.folder && expanded.has(node.path)) {
          onToggle(node.path, false);
        } else if (row.parent) {
          focus(row.parent.path);
        }
        break;
      case 'Enter':
      case ' ':
        activate(node);
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  if (rows.length === 0) {
    // An empty tree (no items at all) is valid ARIA; the note says why it is empty.
    return (
      <>
        <ul
          role="tree"
          aria-label="Files"
          aria-describedby={`${idBase}-empty`}
          className="file-tree"
        />
        <p id={`${idBase}-empty`} className="muted file-tree-empty">
          No files yet.
        </p>
      </>
    );
  }

  // Rendered flat (levels via aria-level) so the roving focus order is simply the visible order.
  return (
    <>
      <span id={`${idBase}-dirty`} hidden>
        modified, not saved
      </span>
      <ul role="tree" aria-label="Files" className="file-tree">
        {rows.map(({ node, level }, index) => {
          const isDirty = !node.folder && dirty.has(node.path);
          return (
            <li
              key={node.path}
              ref={(el) => {
                if (el) {
                  refs.current.set(node.path, el);
                } else {
                  refs.current.delete(node.path);
                }
              }}
              role="treeitem"
              aria-label={node.name}
              aria-level={level}
              aria-expanded={node.folder ? expanded.has(node.path) : undefined}
              aria-selected={node.folder ? undefined : node.path === selected}
              aria-describedby={isDirty ? `${idBase}-dirty` : undefined}
              tabIndex={node.path === current?.node.path ? 0 : -1}
              className={`tree-row${node.path === selected ? ' selected' : ''}`}
              style={{ paddingLeft: `${0.4 + (level - 1) * 1}rem` }}
              onClick={() => activate(node)}
              onKeyDown={(e) => onKeyDown(e, index)}
              title={node.folder ? node.path : `${node.path} (${node.size} bytes)`}
            >
              <span className="tree-icon" aria-hidden="true">
                {node.folder ? (expanded.has(node.path) ? '▾' : '▸') : '·'}
              </span>
              <span className="tree-name">{node.name}</span>
              {isDirty && (
                <span className="dirty-dot" aria-hidden="true" title="Unsaved changes">
                  ●
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
