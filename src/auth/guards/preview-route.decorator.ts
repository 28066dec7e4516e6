// The mark lives in common/ since the rate limiter (common/throttling) reads it too.
export {
  IS_PREVIEW_ROUTE_KEY,
  PreviewRoute,
} from '../../common/decorators/preview-route.decorator.js';
