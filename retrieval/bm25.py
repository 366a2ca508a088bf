"""BM25 in PostgreSQL: the postings, document frequencies and collection statistics.

PostgreSQL's own ranking (ts_rank) does not rank like BM25 and its AND queries
find nothing for questions, so Sluice keeps an inverted index of its own:
one Posting row per (chunk, lexeme) with the term frequency, a Term row per
lexeme with the number of chunks that contain it, and CollectionStats with the
chunk count and total length. Scores are computed at query time from these,
so adding or removing a document never leaves a stale weight behind.

Lexemes come from `to_tsvector('english', ...)`: Snowball stemming and the
English stop-word list, the same for documents and queries.
"""

from __future__ import annotations

from django.db import connection

from retrieval.bm25_params import K1, B

TEXT_SEARCH_CONFIG = "english"


def lock_collection(collection: str) -> None:
    """Serialise index writes of one collection until the transaction ends.

    Every writer takes this row lock first, so the Term upserts of two
    concurrent ingestions cannot deadlock on each other's lexemes.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO retrieval_collectionstats (collection, chunk_count, total_length) VALUES (%s, 0, 0)"
            " ON CONFLICT (collection) DO NOTHING",
            [collection],
        )
        cursor.execute("SELECT 1 FROM retrieval_collectionstats WHERE collection = %s FOR UPDATE", [collection])


def add_postings(*, collection: str, document_ids: list[int]) -> None:
    """Index the chunks of documents that were just inserted. Call inside the ingest transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE retrieval_chunk c SET token_count = coalesce(
                (SELECT sum(coalesce(array_length(u.positions, 1), 1)) FROM unnest(c.search_vector) u), 0)
            WHERE c.document_id = ANY(%s)
            """,
            [document_ids],
        )
        cursor.execute(
            """
            INSERT INTO retrieval_posting (chunk_id, document_id, collection, lexeme, term_frequency, chunk_length)
            SELECT c.id, c.document_id, %s, u.lexeme, coalesce(array_length(u.positions, 1), 1), c.token_count
            FROM retrieval_chunk c, unnest(c.search_vector) u
            WHERE c.document_id = ANY(%s)
            """,
            [collection, document_ids],
        )
        cursor.execute(
            """
            INSERT INTO retrieval_term (collection, lexeme, chunk_frequency)
            SELECT %s, p.lexeme, count(*) FROM retrieval_posting p
            JOIN retrieval_chunk c ON c.id = p.chunk_id
            WHERE c.document_id = ANY(%s) GROUP BY p.lexeme ORDER BY p.lexeme
            ON CONFLICT (collection, lexeme)
            DO UPDATE SET chunk_frequency = retrieval_term.chunk_frequency + EXCLUDED.chunk_frequency
            """,
            [collection, document_ids],
        )
        cursor.execute(
            """
            UPDATE retrieval_collectionstats s
            SET chunk_count = s.chunk_count + x.n, total_length = s.total_length + x.total
            FROM (SELECT count(*) AS n, coalesce(sum(token_count), 0) AS total
                  FROM retrieval_chunk WHERE document_id = ANY(%s)) x
            WHERE s.collection = %s
            """,
            [document_ids, collection],
        )


def remove_postings(*, collection: str, document_id: int) -> None:
    """Take a document's chunks out of the index, before its chunks are deleted."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH gone AS (
                SELECT p.lexeme, count(*) AS n FROM retrieval_posting p
                JOIN retrieval_chunk c ON c.id = p.chunk_id
                WHERE c.document_id = %s GROUP BY p.lexeme
            )
            UPDATE retrieval_term t SET chunk_frequency = t.chunk_frequency - gone.n
            FROM gone WHERE t.collection = %s AND t.lexeme = gone.lexeme
            RETURNING t.lexeme, t.chunk_frequency
            """,
            [document_id, collection],
        )
        emptied = [lexeme for lexeme, frequency in cursor.fetchall() if frequency == 0]
        cursor.execute(
            "DELETE FROM retrieval_term WHERE collection = %s AND lexeme = ANY(%s)",
            [collection, emptied],
        )
        cursor.execute(
            """
            UPDATE retrieval_collectionstats s
            SET chunk_count = s.chunk_count - x.n, total_length = s.total_length - x.total
            FROM (SELECT count(*) AS n, coalesce(sum(token_count), 0) AS total
                  FROM retrieval_chunk WHERE document_id = %s) x
            WHERE s.collection = %s
            """,
            [document_id, collection],
        )
        cursor.execute(
            "DELETE FROM retrieval_posting WHERE chunk_id IN (SELECT id FROM retrieval_chunk WHERE document_id = %s)",
            [document_id],
        )


def drop_collection_index(collection: str) -> None:
    """Remove every posting, term and statistic of a collection."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM retrieval_posting WHERE collection = %s", [collection])
        cursor.execute("DELETE FROM retrieval_term WHERE collection = %s", [collection])
        cursor.execute("DELETE FROM retrieval_collectionstats WHERE collection = %s", [collection])


def query_lexemes(query: str) -> list[str]:
    """The distinct lexemes PostgreSQL would index for `query`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector(%s::regconfig, %s))", [TEXT_SEARCH_CONFIG, query])
        row = cursor.fetchone()
    return list(row[0]) if row and row[0] else []


_STATS_AND_TERMS = """
        stats AS MATERIALIZED (
            SELECT chunk_count::float8 AS n, total_length::float8 / greatest(chunk_count, 1) AS avgdl
            FROM retrieval_collectionstats WHERE collection = %(collection)s
        ), q AS MATERIALIZED (
            SELECT t.lexeme, ln(1 + (stats.n - t.chunk_frequency + 0.5) / (t.chunk_frequency + 0.5)) AS idf,
                   stats.avgdl, t.chunk_frequency > %(depth)s AS truncated
            FROM retrieval_term t, stats
            WHERE t.collection = %(collection)s AND t.lexeme = ANY(%(lexemes)s)
        )"""
# One posting's BM25 contribution, for `p` a posting and `q` its query term.
_CONTRIBUTION = (
    f"q.idf * p.term_frequency * {K1 + 1} / (p.term_frequency + {K1} * (1 - {B} + {B} * p.chunk_length / q.avgdl))"
)


def score_sql(access_sql: str) -> str:
    """SQL that returns (chunk_id, score) of the best BM25 matches a reader may see, exactly.

    Parameters, by name: collection, lexemes (text[]), limit, depth (any integer; unused here), and those
    of access_sql (on `d`, retrieval_document). Scores are summed over all postings first; the access
    filter applies to the scored chunks' documents, in the same query, before the limit. Each step is
    MATERIALIZED so the plan stays the same whatever the planner's statistics say (on fresh,
    unanalysed tables it once nested the whole aggregation in a loop and ran for minutes).
    """
    return f"""
        WITH {_STATS_AND_TERMS}, scored AS MATERIALIZED (
            SELECT p.chunk_id, p.document_id, sum({_CONTRIBUTION}) AS score
            FROM q JOIN retrieval_posting p ON p.collection = %(collection)s AND p.lexeme = q.lexeme
            GROUP BY p.chunk_id, p.document_id
        )
        SELECT scored.chunk_id, scored.score
        FROM scored JOIN retrieval_document d ON d.id = scored.document_id
        WHERE {access_sql}
        ORDER BY scored.score DESC, scored.chunk_id
        LIMIT %(limit)s
    """


def pruned_score_sql(access_sql: str) -> str:
    """SQL for the best BM25 matches a reader may see, reading at most `depth` postings per lexeme.

    Parameters, by name: those of `score_sql`, plus depth, screen and rescore. A lexeme in at most
    `depth` chunks is read whole; of a commoner one (a low-idf word), only its `depth` postings of
    highest impact (Posting.impact: the term-frequency factor at a reference length). The chunks found
    are ranked by their summed idf × impact; the best `screen` of them have their access checked, and
    the reader's best `rescore` get their exact score (each query lexeme's posting looked up by
    primary key); the best `limit` are returned. Scores returned are exact BM25; what pruning can cost is a
    chunk that scores high only through common words and never reached a candidate list (measured by
    `manage.py bench`). When fewer than `limit` rows come back, the caller asks `score_sql` (a reader
    with narrow access, or few matches: then it is cheap).
    """
    return f"""
        WITH {_STATS_AND_TERMS}, found AS MATERIALIZED (
            SELECT p.chunk_id, p.document_id, sum(q.idf * p.impact) AS partial
            FROM q CROSS JOIN LATERAL (
                SELECT p.chunk_id, p.document_id, p.impact FROM retrieval_posting p
                WHERE p.collection = %(collection)s AND p.lexeme = q.lexeme
                ORDER BY p.impact DESC LIMIT %(depth)s
            ) p
            GROUP BY p.chunk_id, p.document_id
            ORDER BY partial DESC, p.chunk_id
            LIMIT %(screen)s
        ), readable AS MATERIALIZED (
            SELECT f.chunk_id
            FROM found f JOIN retrieval_document d ON d.id = f.document_id
            WHERE {access_sql}
            ORDER BY f.partial DESC, f.chunk_id
            LIMIT %(rescore)s
        ), rescored AS MATERIALIZED (
            SELECT r.chunk_id, x.score
            FROM readable r CROSS JOIN LATERAL (
                SELECT sum({_CONTRIBUTION}) AS score
                FROM retrieval_posting p JOIN q ON q.lexeme = p.lexeme
                WHERE p.chunk_id = r.chunk_id AND p.lexeme = ANY(%(lexemes)s)
            ) x
        )
        SELECT chunk_id, score FROM rescored ORDER BY score DESC, chunk_id LIMIT %(limit)s
    """
