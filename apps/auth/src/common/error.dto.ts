import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The body of every error answer. */
export class ErrorDto {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ description: 'A stable code (e.g. `corp_cancelled`) for domain errors, the HTTP status text otherwise', example: 'corp_cancelled' })
  error: string;

  @ApiProperty({ description: 'What went wrong; for validation errors one message per bad field', oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })
  message: string | string[];

  @ApiPropertyOptional({ description: 'Only on 500s: the id also found in the log line' })
  errorId?: string;
}
