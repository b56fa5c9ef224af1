// Limits of the main side that the window checks before it asks (so a button can say why it waits).
export { DERIVE_MAX_OBJECTS } from '../core/data/deriveTriplets'
