import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { AppError } from './common/errors/app-error.js';
import { bodyParserByRoute } from './common/http/body-limits.js';
import type { AppConfig } from './config/app-config.js';

/** Validation failures are 422 with one line per field; values are never coerced to another type. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    stopAtFirstError: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = errors.flatMap((e) =>
        Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }).map((message) => ({
          field: e.property,
          message,
        })),
      );
      const summary = fieldErrors.map((f) => f.message).join('; ');
      return new AppError('validation', `Validation failed: ${summary}`, fieldErrors);
    },
  });
}

/** Swagger UI at /api/docs and the OpenAPI document at /api/docs-json, both public. */
function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Aeio Dev Agent')
      .setDescription(
        'Describe a website in a chat; an AI agent builds it in a per-session sandbox. ' +
          'Every error is {"detail": "…"}.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

/**
 * Browser-opened preview routes send their own CSP (sandbox); helmet's would fight it. Anchored at both
 * ends, so API routes beside them (`preview-token`, `previewXYZ`) keep helmet. Case-insensitive and with
 * an optional trailing slash, as Express routes them.
 */
const PREVIEW_PATH =
  /^\/api\/sessions\/[^/]+\/sandbox\/(?:preview\/?|static\/.+|site\/[^/]+(?:\/.*)?)$/i;

/** Builds the HTTP application exactly as production runs it. */
export async function createApp(
  config: AppConfig & { database: { url: string } },
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const apiHeaders = helmet();
  // Swagger UI runs inline scripts of its own.
  const docsHeaders = helmet({ contentSecurityPolicy: false });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (PREVIEW_PATH.test(req.path)) {
      next();
    } else if (req.path.startsWith('/api/docs')) {
      docsHeaders(req, res, next);
    } else {
      apiHeaders(req, res, next);
    }
  });
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }
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
  app.setGlobalPrefix('api');
  app.useGlobalPipes(validationPipe());
  setUpOpenApi(app);
  await app.init();
  // Nest answers unknown routes under /api; everything else gets the same {"detail"} 404, not Express's HTML.
  app.use((_req: Request, res: Response) => res.status(404).json({ detail: 'Not found' }));
  return app;
}
