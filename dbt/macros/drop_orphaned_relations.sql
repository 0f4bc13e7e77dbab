{#
    Drops the tables and views left in dbt's own schemas (staging, intermediate, core, marts,
    reference, snapshots) by models, seeds or snapshots the project no longer has: a renamed or
    removed mart would otherwise stay in the warehouse, frozen at its last build, and still be
    published to BI tools (the publisher takes every table of schema marts). Runs at the end of
    `dbt run` and `dbt build` (on-run-end), whatever the selection: the graph always holds the
    whole project. Never touches a schema that holds a source (raw, audit) or any schema no
    model, seed or snapshot is configured into. Set var drop_orphaned_relations: false to keep
    them, or call `dbt run-operation drop_orphaned_relations --args '{dry_run: true}'` to list them.
#}
{% macro drop_orphaned_relations(dry_run=false) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}

    {%- set source_schemas = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- do source_schemas.append((source.database ~ '.' ~ source.schema) | lower) -%}
    {%- endfor -%}

    {#- managed schema ("database.schema") -> the relation names the project builds in it -#}
    {%- set managed = {} -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ['model', 'seed', 'snapshot']
        and node.config.materialized != 'ephemeral' -%}
        {%- set key = (node.database ~ '.' ~ node.schema) | lower -%}
        {%- if key not in source_schemas -%}
            {%- if key not in managed -%}
                {%- do managed.update({key: {'database': node.database, 'schema': node.schema, 'names': []}}) -%}
            {%- endif -%}
            {%- do managed[key]['names'].append((node.alias or node.name) | lower) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set orphans = [] -%}
    {%- for key in managed | sort -%}
        {%- if adapter.check_schema_exists(managed[key]['database'], managed[key]['schema']) -%}
            {%- set schema_relation = api.Relation.create(
                database=managed[key]['database'], schema=managed[key]['schema']
            ).without_identifier() -%}
            {%- for row in list_relations_without_caching(schema_relation) -%}
                {%- if row['name'] | lower not in managed[key]['names'] and row['type'] -%}
                    {%- do orphans.append(api.Relation.create(
                        database=row['database'], schema=row['schema'],
                        identifier=row['name'], type=row['type']
                    )) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}

    {#- views first: an orphaned view may read an orphaned table -#}
    {%- for relation in (orphans | selectattr('type', 'equalto', 'view') | list)
        + (orphans | rejectattr('type', 'equalto', 'view') | list) -%}
        {%- if dry_run -%}
            {{ log('orphaned ' ~ relation.type ~ ' ' ~ relation ~ ' (not dropped: dry run)', info=true) }}
        {%- else -%}
            {{ log('dropping orphaned ' ~ relation.type ~ ' ' ~ relation ~ ': no model, seed or snapshot of the project builds it', info=true) }}
            {%- do adapter.drop_relation(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the listing opened a transaction; a hook's open transaction is rolled back on release -#}
    {%- if orphans and not dry_run -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{#- The on-run-end hook: only after run and build, and unless var drop_orphaned_relations is false. -#}
{% macro drop_orphaned_relations_on_run_end() %}
    {%- if execute and flags.WHICH in ['run', 'build'] and var('drop_orphaned_relations', true) -%}
        {%- do drop_orphaned_relations() -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
