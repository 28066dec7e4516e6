import { SetMetadata } from '@nestjs/common';

export const IS_PREVIEW_ROUTE_KEY = 'isPreviewRoute';

/** Marks a route that a browser opens directly (iframe, link): it also takes `?token=` and preview tokens. */
export const PreviewRoute = () => SetMetadata(IS_PREVIEW_ROUTE_KEY, true);
