import { useEffect, useRef } from 'react';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching,
  defaultHighlightStyle,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { oneDarkTheme } from '@codemirror/theme-one-dark';
import { tags as t } from '@lezer/highlight';
import { extensionOf } from './file-api';

/**
 * Syntax highlighting by extension (plain text for the rest); each language is a chunk of its own,
 * fetched when a file of its kind is first opened.
 */
async function languageFor(filename: string): Promise<Extension> {
  switch (extensionOf(filename)) {
    case 'html':
    case 'htm':
    case 'svg':
    case 'xml':
      return (await import('@codemirror/lang-html')).html();
    case 'css':
      return (await import('@codemirror/lang-css')).css();
    case 'js':
    case 'mjs':
    case 'cjs':
      return (await import('@codemirror/lang-javascript')).javascript();
    case 'jsx':
      return (await import('@codemirror/lang-javascript')).javascript({ jsx: true });
    case 'ts':
    case 'mts':
      return (await import('@codemirror/lang-javascript')).javascript({ typescript: true });
    case 'tsx':
      return (await import('@codemirror/lang-javascript')).javascript({
        typescript: true,
        jsx: true,
      });
    case 'json':
    case 'webmanifest':
      return (await import('@codemirror/lang-json')).json();
    case 'md':
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
    default:
      return [];
  }
}

/** Sizes and colours from the console's own variables, so the light editor matches the page. */
const base = EditorView.theme({
  '&': { height: '100%', fontSize: '13px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
});
const light = [
  EditorView.theme({
    '&': { backgroundColor: 'var(--surface)', color: 'var(--text)' },
    '.cm-gutters': {
      backgroundColor: 'var(--surface-2)',
      color: 'var(--muted)',
      borderRight: '1px solid var(--border)',
    },
    '.cm-activeLine': { backgroundColor: 'rgba(67, 56, 202, 0.06)' },
    '.cm-activeLineGutter': { backgroundColor: 'rgba(67, 56, 202, 0.12)' },
  }),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
];

const readOnlyExtension = (readOnly: boolean): Extension => [
  EditorState.readOnly.of(readOnly),
  EditorView.editable.of(!readOnly),
];

const labelExtension = (filename: string): Extension =>
  EditorView.contentAttributes.of({ 'aria-label': `Editor: ${filename}` });

/**
 * One Dark, with the colours that fall short of WCAG AA on its background (comments, names, keywords,
 * gutter numbers) brightened.
 */
const coral = '#ef8a92';
const stone = '#a3aab8';
const violet = '#d58fea';
const darkHighlight = HighlightStyle.define([
  { tag: t.keyword, color: violet },
  { tag: [t.name, t.deleted, t.character, t.propertyName, t.macroName], color: coral },
  { tag: [t.function(t.variableName), t.labelName], color: '#61afef' },
  { tag: [t.color, t.constant(t.name), t.standard(t.name)], color: '#d19a66' },
  { tag: [t.definition(t.name), t.separator], color: '#abb2bf' },
  {
    tag: [
      t.typeName,
      t.className,
      t.number,
      t.changed,
      t.annotation,
      t.modifier,
      t.self,
      t.namespace,
    ],
    color: '#e5c07b',
  },
  {
    tag: [t.operator, t.operatorKeyword, t.url, t.escape, t.regexp, t.link, t.special(t.string)],
    color: '#56b6c2',
  },
  { tag: [t.meta, t.comment], color: stone },
  { tag: t.strong, fontWeight: 'bold' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
  { tag: t.link, color: stone, textDecoration: 'underline' },
  { tag: t.heading, fontWeight: 'bold', color: coral },
  { tag: [t.atom, t.bool, t.special(t.variableName)], color: '#d19a66' },
  { tag: [t.processingInstruction, t.string, t.inserted], color: '#98c379' },
  { tag: t.invalid, color: '#ffffff' },
]);
const darkTheme: Extension = [
  oneDarkTheme,
  syntaxHighlighting(darkHighlight),
  Prec.highest(
    EditorView.theme(
      {
        '.cm-gutters': { color: stone },
        '.cm-activeLineGutter': { color: '#e7e9ee' },
      },
      { dark: true },
    ),
  ),
];

export interface CodeEditorProps {
  filename: string;
  /** The text to show; replaces the editor's when `docKey` changes (and the text differs). */
  value: string;
  docKey: string;
  readOnly: boolean;
  dark: boolean;
  onChange: (text: string) => void;
  onSave: () => void;
}

/** CodeMirror 6, loaded on demand (this module is the editor's lazy chunk). */
export default function CodeEditor({
  filename,
  value,
  docKey,
  readOnly,
  dark,
  onChange,
  onSave,
}: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onSave });
  const compartments = useRef({
    language: new Compartment(),
    theme: new Compartment(),
    readOnly: new Compartment(),
    label: new Compartment(),
  });
  useEffect(() => {
    callbacks.current = { onChange, onSave };
  });

  const props = useRef({ filename, readOnly, dark });
  /** The highlighting of the open file's language, once its chunk has loaded. */
  const languageRef = useRef<Extension>([]);
  useEffect(() => {
    props.current = { filename, readOnly, dark };
  });

  /** A fresh state (own undo history) for a newly loaded document, with the current settings. */
  const makeState = (doc: string): EditorState => {
    const c = compartments.current;
    const p = props.current;
    return EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        EditorView.lineWrapping,
        keymap.of([
          {
            key: 'Mod-s',
            preventDefault: true,
            run: () => {
              callbacks.current.onSave();
              return true;
            },
          },
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        base,
        c.language.of(languageRef.current),
        c.theme.of(p.dark ? darkTheme : light),
        c.readOnly.of(readOnlyExtension(p.readOnly)),
        c.label.of(labelExtension(p.filename)),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            callbacks.current.onChange(u.state.doc.toString());
          }
        }),
      ],
    });
  };
  const makeStateRef = useRef(makeState);
  makeStateRef.current = makeState;

  // One view for the component's life; each newly loaded document gets a fresh state.
  useEffect(() => {
    const v = new EditorView({ parent: host.current!, state: makeStateRef.current(value) });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    // Only a new document (another file, or a reload) replaces the text; after a save the text is
    // already the same, and the cursor and undo history stay.
    if (v && v.state.doc.toString() !== value) {
      v.setState(makeStateRef.current(value));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [docKey]);

  useEffect(() => {
    const c = compartments.current;
    view.current?.dispatch({ effects: c.label.reconfigure(labelExtension(filename)) });
    let current = true;
    void languageFor(filename).then((language) => {
      if (current) {
        languageRef.current = language;
        view.current?.dispatch({ effects: c.language.reconfigure(language) });
      }
    });
    return () => {
      current = false;
    };
  }, [filename]);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.current.theme.reconfigure(dark ? darkTheme : light),
    });
  }, [dark]);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.current.readOnly.reconfigure(readOnlyExtension(readOnly)),
    });
  }, [readOnly]);

  return <div ref={host} className="code-editor" />;
}
