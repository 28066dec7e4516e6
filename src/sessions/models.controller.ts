import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { MODEL_PROFILES, type ModelProfiles } from '../models/model-profiles.js';
import { ApiErrors } from '../common/openapi/api-errors.js';
import { SessionsService } from './sessions.service.js';

export class ModelProfileView {
  @ApiProperty({ enum: ['max_tokens', 'max_completion_tokens'] })
  output_param!: 'max_tokens' | 'max_completion_tokens';

  @ApiProperty({ example: 8192 })
  max_output_tokens!: number;

  @ApiProperty({ example: 100000 })
  context_tokens!: number;

  @ApiProperty()
  vision!: boolean;

  @ApiProperty({
    type: [String],
    enum: ['output_param', 'context_tokens'],
    description:
      'fields learned from the provider’s own answers (a 400 naming `max_tokens`, a context error naming its size) rather than configured (`AGENT_MODEL_OPTIONS`) or defaulted',
  })
  learned!: ('output_param' | 'context_tokens')[];
}

export class ModelView {
  @ApiProperty({ example: 'gpt-4o-mini' })
  id!: string;

  @ApiProperty({ description: 'the model of sessions whose `model` is null' })
  default!: boolean;

  @ApiProperty({ description: 'whether the model reads images (`AGENT_MODEL_OPTIONS`)' })
  vision!: boolean;

  @ApiProperty({ example: 100000, description: 'tokens one request may hold' })
  context_tokens!: number;

  @ApiProperty({ type: ModelProfileView })
  profile!: ModelProfileView;
}

export class ModelsView {
  @ApiProperty({ type: [ModelView] })
  models!: ModelView[];

  @ApiProperty({
    description:
      'whether an LLM provider is configured (`OPENAI_API_KEY` or `OPENAI_BASE_URL`); without one, ' +
      'sending a message answers 503 and everything else works',
  })
  configured!: boolean;
}

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('models')
export class ModelsController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(MODEL_PROFILES) private readonly profiles: ModelProfiles,
  ) {}

  @ApiOperation({
    summary:
      'The models a session may use (`AGENT_MODELS`), the default marked, each with its profile',
  })
  @ApiOkResponse({ type: ModelsView })
  @ApiErrors(401)
  @Get()
  list(): ModelsView {
    return {
      models: this.sessions.models().map((m) => {
        const profile = this.profiles.get(m.id);
        return { ...m, vision: profile.vision, context_tokens: profile.context_tokens, profile };
      }),
      configured: this.sessions.providerConfigured(),
    };
  }
}
