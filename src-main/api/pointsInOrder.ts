// Shared with the renderer (the Maps page).
/**
 * A map's 2-D points (x, y per object) taken in another dataset's order of the same objects: `order[k]` is this map's
 * object at position k (from datasets.lineUp); null keeps them as they are.
 */
export function pointsInOrder(coordinates: readonly number[], order: readonly number[] | null): number[] {
  return order ? order.flatMap((row) => [coordinates[2 * row]!, coordinates[2 * row + 1]!]) : [...coordinates]
}
