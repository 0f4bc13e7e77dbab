"""What the data-quality gate produces for people: feedback per upload and the GX Data Docs.

Both run after the ingestion batch (and its checks) of a run, once per batch.
"""

import dagster as dg

from dagster_project.defs.assets.ingestion import AUDIT_KEYS, RAW_KEYS
from dagster_project.defs.resources import WarehouseResource
from ingestion.feedback import write_feedback
from ingestion.quality.docs import build_data_docs

# The site renders ~70 ms per validation page: cap it, most problematic uploads first.
DATA_DOCS_LIMIT = 100

_UPLOADS_WITHOUT_FEEDBACK = """
select upload_id, instansi_kode, periode from audit.uploads
where status in ('loaded', 'blocked', 'refused')
"""


@dg.asset(
    key=["published", "office_feedback"],
    deps=[*RAW_KEYS.values(), AUDIT_KEYS["rejections"]],
    group_name="feedback",
    kinds={"html", "xlsx"},
    description="Per upload, in Bahasa Indonesia: refused rows and data-quality results with "
    "how to fix them (published/feedback/<instansi>/<periode>/<upload_id>.html|xlsx).",
)
def office_feedback(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    paths = warehouse.paths()
    written = 0
    with warehouse.connect() as con:
        for upload_id, instansi_kode, periode in con.execute(_UPLOADS_WITHOUT_FEEDBACK).fetchall():
            html = paths.published / "feedback" / instansi_kode / periode / f"{upload_id}.html"
            if html.exists():
                continue
            write_feedback(con, paths, upload_id)
            written += 1
    context.log.info(f"{written} feedback reports written")
    return dg.MaterializeResult(metadata={"reports_written": written})


@dg.asset(
    key=["published", "gx_data_docs"],
    deps=list(RAW_KEYS.values()),
    group_name="feedback",
    kinds={"html"},
    description="Great Expectations Data Docs of the latest checks (published/docs/gx).",
)
def gx_data_docs(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        index = build_data_docs(warehouse.paths(), con=con, limit=DATA_DOCS_LIMIT)
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(index))})
