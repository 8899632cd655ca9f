// Studios.
import type { StudioList, StudioView } from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

export interface StudioFields {
  name: string;
  /** Only addresses of these domains may be invited (empty: any). */
  allowedEmailDomains?: string[];
}

export function studiosApi(t: Transport) {
  return {
    /** GET /studios: the studios the caller belongs to. */
    list: (): Promise<StudioList> => t.json(ROUTES['studios.list'], {}),
    /** POST /studios: the caller becomes its owner. */
    create: (body: StudioFields): Promise<StudioView> => t.json(ROUTES['studios.create'], {}, { json: body }),
    get: (studioId: string): Promise<StudioView> => t.json(ROUTES['studios.get'], { studioId }),
    update: (studioId: string, body: Partial<StudioFields>): Promise<StudioView> => t.json(ROUTES['studios.update'], { studioId }, { json: body }),
    /** DELETE /studios/:studioId: gone for everyone; its data and audit log stay on the server. */
    delete: (studioId: string): Promise<void> => t.none(ROUTES['studios.delete'], { studioId }),
  };
}
