/** The persistence the payload registry needs: store/payload-catalog.ts. */
export type { PayloadCatalog } from '../store/payload-catalog.ts';
