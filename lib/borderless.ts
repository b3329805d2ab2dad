// cli-table3 without borders: the CLI's tables and the bench's reports print plain aligned columns.

/** cli-table3's `chars` for no borders at all; columns are `gap` apart. */
export const borderless = (gap: string) => ({
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: gap,
});
