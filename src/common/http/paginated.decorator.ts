import {
  applyDecorators,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { HttpAdapterHost } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { nextPageLink, Page } from './pagination.js';

/** A handler's `Page` goes out as its bare array, with `Link: <…>; rel="next"` when there is more. */
@Injectable()
class PageInterceptor implements NestInterceptor {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = ctx.switchToHttp();
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof Page)) {
          return result;
        }
        const page = result as Page<unknown>;
        if (page.next !== null) {
          // `originalUrl`: the URL as the client sent it, query included.
          const req = http.getRequest<{ originalUrl: string }>();
          const link = nextPageLink(req.originalUrl, page.next);
          this.adapterHost.httpAdapter.setHeader(http.getResponse(), 'Link', link);
        }
        return page.items;
      }),
    );
  }
}

/** Marks a list route: its handler returns a `Page` of `type`; documents the array and the Link header. */
export const Paginated = (type: new () => object, description?: string) =>
  applyDecorators(
    UseInterceptors(PageInterceptor),
    ApiOkResponse({
      type: [type],
      description,
      headers: {
        Link: {
          description:
            'RFC 8288 `<…>; rel="next"`: the URL of the next page (absent on the last page); ' +
            'it keeps the query and sets `before`',
          schema: { type: 'string' },
        },
      },
    }),
  );
