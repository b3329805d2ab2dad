/** Whether a pet can be ordered; derived from stock, never stored. */
export const PET_STATUS = { available: 'available', sold_out: 'sold_out' } as const;
/** One of PET_STATUS. */
export type PetStatus = (typeof PET_STATUS)[keyof typeof PET_STATUS];

/** A pet in the catalogue, as the API shows it. */
export interface Pet {
  id: string;
  name: string;
  species: string;
  breed: string | null;
  age: number | null;
  description: string | null;
  tags: string[];
  priceCents: number;
  currency: string;
  stock: number;
  status: PetStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A pet's status from its stock. */
export const petStatus = (stock: number): PetStatus => (stock > 0 ? PET_STATUS.available : PET_STATUS.sold_out);
