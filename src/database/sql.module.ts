import { Global, Module } from '@nestjs/common';
import { Sql } from './sql.service.js';

@Global()
@Module({ providers: [Sql], exports: [Sql] })
export class SqlModule {}
