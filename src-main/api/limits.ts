// Limits of the main side that the window checks before it asks (so a button can say why it waits, or what it gives).
export { DERIVE_MAX_OBJECTS, everyTripletCount } from '../core/data/deriveTriplets'
