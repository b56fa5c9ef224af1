// What fills the masked-out pixels; apart from the masking code so the contract (which the renderer imports) can share it.
export const MASK_FILLS = ['black', 'mean', 'blur'] as const
export type MaskFill = (typeof MASK_FILLS)[number]
