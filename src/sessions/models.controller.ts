import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.js';
import { SessionsService } from './sessions.service.js';

export class ModelView {
  @ApiProperty({ example: 'gpt-4o-mini' })
  id!: string;

  @ApiProperty({ description: 'the model of sessions whose `model` is null' })
  default!: boolean;
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
  constructor(private readonly sessions: SessionsService) {}

  @ApiOperation({ summary: 'The models a session may use (`AGENT_MODELS`), the default marked' })
  @ApiOkResponse({ type: ModelsView })
  @ApiErrors(401)
  @Get()
  list(): ModelsView {
    return { models: this.sessions.models(), configured: this.sessions.providerConfigured() };
  }
}
