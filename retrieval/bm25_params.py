"""BM25's parameters, shared by the index (retrieval.models) and the queries (retrieval.bm25)."""

# Robertson/Lucene BM25 parameters, as Anserini and Pyserini use them on BEIR.
K1 = 0.9
B = 0.4
# The chunk length (in indexed lexemes) at which a posting's stored impact is computed: about the
# average of Sluice's chunks. Only the order of a lexeme's postings depends on it, never a score.
IMPACT_REFERENCE_LENGTH = 64.0
