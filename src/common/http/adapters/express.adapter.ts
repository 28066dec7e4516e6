import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../../../config/app-config.js';
import { bodyParserByRoute } from '../body-limits.js';
import { securityHeaders } from '../security-headers.js';
import {
  ConsoleSite,
  consoleDir,
  consoleRequestHeaders,
  writeConsoleAnswer,
} from '../console-site.js';

/** The service on Express: helmet, body limits per route, trust proxy; no ETag, no x-powered-by. */
export async function createExpressApp(module: object, config: AppConfig) {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
  });
  const headers = securityHeaders();
  const site = ConsoleSite.load(consoleDir());
  app.use((req: Request, res: Response, next: NextFunction) => {
    const page = site.answer(req.method, req.path, consoleRequestHeaders(req));
    if (page) {
      writeConsoleAnswer(res, page);
      return;
    }
    headers(req.path, req, res, next);
  });
  // Each route reads up to its own limit (src/common/http/body-limits.ts); more is refused with 413.
  app.use(
    bodyParserByRoute({
      fileWriteBytes: config.http.bodyLimitBytes,
      messageBytes: config.http.bodyLimitMessageBytes,
      defaultBytes: config.http.bodyLimitDefaultBytes,
    }),
  );
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  // API answers are per-user and never revalidated; hashing every body for an ETag is pure cost.
  app.set('etag', false);
  return {
    app,
    /** After init: Nest answers unknown routes under /api; the rest get the same {"detail"} 404. */
    afterInit: () =>
      app.use((_req: Request, res: Response) => res.status(404).json({ detail: 'Not found' })),
  };
}
