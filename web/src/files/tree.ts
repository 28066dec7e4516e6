/** A node of the files tree: folders come from the `/` in the sandbox's file names. */
export interface TreeNode {
  /** Full path: `css/site.css`, or `css` for a folder. */
  path: string;
  name: string;
  folder: boolean;
  size: number;
  children: TreeNode[];
}

/** Folders first, then files, each alphabetically (case-insensitive). */
const order = (a: TreeNode, b: TreeNode) =>
  a.folder === b.folder
    ? a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })
    : a.folder
      ? -1
      : 1;

export function buildTree(files: { name: string; size: number }[]): TreeNode[] {
  const root: TreeNode = { path: '', name: '', folder: true, size: 0, children: [] };
  const folders = new Map<string, TreeNode>([['', root]]);
  const folderOf = (path: string): TreeNode => {
    const known = folders.get(path);
    if (known) {
      return known;
    }
    const slash = path.lastIndexOf('/');
    const parent = folderOf(slash < 0 ? '' : path.slice(0, slash));
    const node: TreeNode = {
      path,
      name: path.slice(slash + 1),
      folder: true,
      size: 0,
      children: [],
    };
    parent.children.push(node);
    folders.set(path, node);
    return node;
  };
  for (const f of files) {
    const slash = f.name.lastIndexOf('/');
    const parent = folderOf(slash < 0 ? '' : f.name.slice(0, slash));
    parent.children.push({
      path: f.name,
      name: f.name.slice(slash + 1),
      folder: false,
      size: f.size,
      children: [],
    });
  }
  const sort = (n: TreeNode) => {
    n.children.sort(order);
    n.children.forEach(sort);
  };
  sort(root);
  return root.children;
}

/** The nodes a person sees, in order: a folder's children only when it is expanded. */
export function visibleNodes(
  nodes: TreeNode[],
  expanded: ReadonlySet<string>,
  level = 1,
  parent: TreeNode | null = null,
): { node: TreeNode; level: number; parent: TreeNode | null }[] {
  return nodes.flatMap((node) => [
    { node, level, parent },
    ...(node.folder && expanded.has(node.path)
      ? visibleNodes(node.children, expanded, level + 1, node)
      : []),
  ]);
}

/** The folders that hold a path (`a/b/c.txt` → `a`, `a/b`), to expand them when it is opened. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}
