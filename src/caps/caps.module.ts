import { Module } from '@nestjs/common';
import { CapsService } from './caps.service.js';

/** Per-user caps by tier; used inside the transactions of the modules whose changes they limit. */
@Module({ providers: [CapsService], exports: [CapsService] })
export class CapsModule {}
