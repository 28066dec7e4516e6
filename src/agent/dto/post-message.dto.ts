import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { NoNul } from '../../common/validation/no-nul.js';

export class PostMessageDto {
  /** What the user asks the agent to build or change. */
  @IsString()
  @Length(1, 100_000)
  @NoNul()
  content!: string;

  /** true → the answer is a `text/event-stream` of the run's events. */
  @IsOptional()
  @IsBoolean()
  stream?: boolean;
}
