import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ExecutionStep } from './execution-step.entity.js';
import { Message } from './message.entity.js';

/** Reads a session's conversation. Callers pass a session the acting user was checked to own. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(ExecutionStep) private readonly steps: Repository<ExecutionStep>,
  ) {}

  list(sessionId: string): Promise<Message[]> {
    return this.messages.find({ where: { sessionId }, order: { id: 'ASC' } });
  }

  /** The steps of the session's latest assistant message, in the order the model called the tools. */
  async latestSteps(sessionId: string): Promise<ExecutionStep[]> {
    const latest = await this.messages.findOne({
      where: { sessionId, role: 'assistant' },
      order: { id: 'DESC' },
      select: { id: true },
    });
    if (!latest) {
      return [];
    }
    return this.steps.find({ where: { messageId: latest.id }, order: { id: 'ASC' } });
  }
}
