import { SQLITE_STORE } from '../../../helpers/store-factory.ts';
import { sourcesContract } from './sources-contract.ts';

sourcesContract(SQLITE_STORE);
