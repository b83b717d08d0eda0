// Used by the Prisma CLI (`prisma migrate deploy` on machines that have its schema engine).
// This project's own `npm run db:migrate` applies the same migrations without the binary.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/wecom_isv' },
});
