import { SQLITE_STORE } from '../../../helpers/store-factory.ts';
import { casesContract } from './cases-contract.ts';

casesContract(SQLITE_STORE);
