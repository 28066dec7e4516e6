import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a compiled CLI (`dist/cli/<name>.js`) as a child process, as an operator would. */
export function runCli(
  name: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(`dist/cli/${name}.js`), ...args],
      { env: { PATH: process.env.PATH, ...env }, cwd, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
