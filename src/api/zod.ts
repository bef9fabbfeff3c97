import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

/**
 * zod with `.openapi()` added (zod-to-openapi's extension), so one schema both validates a request and
 * describes it in /openapi.json. Every API module imports `z` from here, which guarantees the extension ran
 * before any schema of the API is built.
 */
extendZodWithOpenApi(z);

export { z };
