import { SQLITE_STORE } from '../../../helpers/store-factory.ts';
import { referralsContract } from './referrals-contract.ts';

referralsContract(SQLITE_STORE);
