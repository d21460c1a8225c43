/**
 * The state of one (decoy, tracker) announce job in the scheduler's columns (scheduler.ts): one
 * byte per job, these bits.
 */
export const ACTIVE = 1; // the job exists (the decoy lists this tracker)
export const ANNOUNCED = 2; // a `started` was answered: later announces are regular, and shutdown owes a `stopped`
export const ATTEMPTED = 4; // its first announce has been tried (whenAllAnnounced)
export const IN_FLIGHT = 8;
export const OWED = 16; // stop(): this job gets a `stopped`
