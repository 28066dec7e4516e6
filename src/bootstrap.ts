import { ValidationPipe, type INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { AppError } from './common/errors/app-error.js';
import { createOpenApiDocument } from './common/openapi/openapi-document.js';
import { createFastifyApp } from './common/http/fastify-app.js';
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
  SwaggerModule.setup('api/docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
  });
}

/** Builds the HTTP application exactly as production runs it (on Fastify). */
export async function createApp(
  config: AppConfig & { database: { url: string } },
): Promise<NestFastifyApplication> {
  const module = AppModule.forRoot(config);
  const app = await createFastifyApp(module, config);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }
  app.setGlobalPrefix('api');
  app.useGlobalPipes(validationPipe());
  setUpOpenApi(app);
  await app.init();
  return app;
}
