/** Which consensus rules apply at a height: before Genesis, from Genesis, from Chronicle. */
export enum ProtocolEra {
  PreGenesis = 1,
  PostGenesis = 2,
  PostChronicle = 3,
}

/** The activation heights an era depends on (a subset of ChainParams). */
export interface EraHeights {
  genesisHeight: number;
  chronicleHeight: number;
}

export function protocolEra(heights: EraHeights, height: number): ProtocolEra {
  if (height < heights.genesisHeight) return ProtocolEra.PreGenesis;
  if (height < heights.chronicleHeight) return ProtocolEra.PostGenesis;
  return ProtocolEra.PostChronicle;
}

export function isGenesisActive(era: ProtocolEra): boolean {
  return era >= ProtocolEra.PostGenesis;
}

export function isChronicleActive(era: ProtocolEra): boolean {
  return era >= ProtocolEra.PostChronicle;
}
