import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MODEL_PROFILES, ModelProfiles } from './model-profiles.js';

/** One profile store per process, shared by the LLM client, the agent loop and `GET /api/models`. */
@Module({
  providers: [
    {
      provide: MODEL_PROFILES,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new ModelProfiles(config.agent.modelOptions, {
          maxOutputTokens: config.agent.maxOutputTokens,
          contextTokens: config.agent.contextTokens,
        }),
    },
  ],
  exports: [MODEL_PROFILES],
})
export class ModelProfilesModule {}
