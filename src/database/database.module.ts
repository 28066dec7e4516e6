import { Global, Module } from '@nestjs/common';
import { Sql } from './sql.service.js';

/**
 * The transaction helper every repository shares. Global because it is infrastructure, like the
 * data source: each feature module registers its own entities (`TypeOrmModule.forFeature`) and its
 * own repositories, and exports those other features may use, so this folder imports no feature.
 */
@Global()
@Module({ providers: [Sql], exports: [Sql] })
export class DatabaseModule {}
