import { blockFields, chainQueries, chainSubscriptions } from './chain.js';
import { poolQueries, poolSubscriptions } from './pool.js';
import { DateTimeScalar, DecimalScalar, HashScalar, SatoshisScalar } from './scalars.js';
import { workerFields, workerQueries } from './workers.js';

export const resolvers = {
  Hash: HashScalar,
  Satoshis: SatoshisScalar,
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  Query: { ...chainQueries, ...poolQueries, ...workerQueries },
  Subscription: { ...chainSubscriptions, ...poolSubscriptions },
  ...blockFields,
  ...workerFields,
};
