import { SQLITE_STORE } from '../../../helpers/store-factory.ts';
import { riskContract } from './risk-contract.ts';

riskContract(SQLITE_STORE);
