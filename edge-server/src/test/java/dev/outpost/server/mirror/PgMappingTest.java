package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The value mapping without a database: extended JSON of every kind of value, column types, partition values. */
class PgMappingTest
{
    @Test
    void shouldWriteRelaxedExtendedJson()
    {
        assertThat(PgMapping.json(new Value.Str("a\"b\\c\n\u0001"))).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
        assertThat(PgMapping.json(new Value.Bin(new byte[]{1, 2}))).isEqualTo(
            "{\"$binary\":{\"base64\":\"AQI=\",\"subType\":\"00\"}}");
        assertThat(PgMapping.json(new Value.Timestamp(0, 5))).isEqualTo("{\"$date\":\"1970-01-01T00:00:00.000000005Z\"}");
        assertThat(PgMapping.json(Value.DoubleValue.of(Double.NEGATIVE_INFINITY)))
            .isEqualTo("{\"$numberDouble\":\"-Infinity\"}");
        assertThat(PgMapping.json(Value.FloatValue.of(0.5f))).isEqualTo("0.5");
        assertThat(PgMapping.json(new Value.Decimal(1, 0, 3, false))).isEqualTo("{\"$numberDecimal\":\"1E+3\"}");
        assertThat(PgMapping.json(new Value.Link("Dog", new Value.Int(3)))).isEqualTo("{\"$ref\":\"Dog\",\"$id\":3}");
        final ObjectData address = new ObjectData("Address");
        address.fields().put("city", new Value.Str("Oslo"));
        final Value.ListValue list = new Value.ListValue();
        list.items().add(new Value.Embedded(address));
        list.items().add(Value.Null.INSTANCE);
        assertThat(PgMapping.json(list)).isEqualTo("[{\"city\":\"Oslo\"},null]");
        final TreeMap<String, Value> dict = new TreeMap<>();
        dict.put("k", new Value.Link("Dog", new Value.Str("rex")));
        final ColumnSpec links = new ColumnSpec("dogs", Instr.TYPE_LINK, true, Instr.COLLECTION_DICTIONARY, "Dog",
            Instr.TYPE_STRING);
        assertThat(PgMapping.json(links, new Value.DictValue(dict))).isEqualTo("{\"k\":\"rex\"}");
    }

    /** COPY's text format: tab-separated, \N for null, backslash / newline / carriage return / tab escaped. */
    @Test
    void shouldEscapeCopyFields()
    {
        final StringBuilder row = new StringBuilder();
        PgMapping.copyField(row, true, "a\\b\tc\nd\re");
        PgMapping.copyField(row, false, null);
        PgMapping.copyField(row, false, "\\N");
        PgMapping.copyField(row, false, "");
        PgMapping.copyField(row, false, PgMapping.elementText("bytea", null, new Value.Bin(new byte[]{0x5c, 0})));
        PgMapping.copyField(row, false, PgMapping.elementText("text", null, Value.Null.INSTANCE));
        assertThat(row.toString()).isEqualTo("a\\\\b\\tc\\nd\\re\t\\N\t\\\\N\t\t\\\\x5c00\t\\N");
    }

    @Test
    void shouldMapColumnTypes()
    {
        assertThat(PgMapping.columnType(t -> Instr.TYPE_UUID, new ColumnSpec("d", Instr.TYPE_LINK, true,
            Instr.COLLECTION_SINGLE, "Dog", 0))).isEqualTo("uuid");
        assertThat(PgMapping.columnType(t -> -1, new ColumnSpec("a", Instr.TYPE_LINK, true,
            Instr.COLLECTION_SINGLE, "Address", 0))).isEqualTo("jsonb");
        assertThat(PgMapping.columnType(t -> -1, new ColumnSpec("m", Instr.TYPE_NULL, true,
            Instr.COLLECTION_SINGLE, null, 0))).isEqualTo("jsonb");
        assertThat(PgMapping.columnType(t -> -1, new ColumnSpec("l", Instr.TYPE_INT, false,
            Instr.COLLECTION_LIST, null, 0))).isEqualTo("jsonb");
        assertThat(PgMapping.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
    }

    @Test
    void shouldReadPartitionValuesFromBindPaths()
    {
        assertThat(PartitionValues.text("\"p1\"")).isEqualTo("p1");
        assertThat(PartitionValues.text("\"a\\\"b\\u00e9\"")).isEqualTo("a\"bé");
        assertThat(PartitionValues.text("{\"$numberLong\":\"42\"}")).isEqualTo("42");
        assertThat(PartitionValues.text("{\"$oid\":\"0102030405060708090a0b0c\"}"))
            .isEqualTo("0102030405060708090a0b0c");
        assertThat(PartitionValues.text("null")).isEqualTo("null");
        assertThat(PartitionValues.text("\"broken\\\"")).isEqualTo("\"broken\\\"");
    }

    @Test
    void shouldWriteArrayElementsAsTheTextABindSendsQuotedAndEscaped()
    {
        final StringBuilder a = new StringBuilder("{");
        PgMapping.arrayElement(a, true, "text", null, new Value.Str("a\"b\\c,{}"));
        PgMapping.arrayElement(a, false, "text", null, new Value.Str("NULL"));
        PgMapping.arrayElement(a, false, "text", null, Value.Null.INSTANCE);
        PgMapping.arrayElement(a, false, "bytea", null, new Value.Bin(new byte[]{0, (byte)0xff}));
        PgMapping.arrayElement(a, false, "bigint", null, new Value.Int(-3));
        PgMapping.arrayElement(a, false, "boolean", null, Value.Bool.TRUE);
        PgMapping.arrayElement(a, false, "real", null, Value.FloatValue.of(Float.NaN));
        PgMapping.arrayElement(a, false, "jsonb", null, new Value.Str("q\""));
        assertThat(a.append('}').toString()).isEqualTo("{\"a\\\"b\\\\c,{}\",\"NULL\",NULL,\"\\\\x00ff\",\"-3\",\"t\"," +
            "\"NaN\",\"\\\"q\\\\\\\"\\\"\"}");
    }

    @Test
    void shouldCutAPostgresMessageToOneShortLine()
    {
        final String huge = "malformed array literal: \"{" + "\"x\",".repeat(10_000) + "}\"\nDetail: here";
        final String line = PgMirror.oneLine(huge);
        assertThat(line).doesNotContain("\n").startsWith("malformed array literal").hasSizeLessThan(
            PgMirror.MAX_MESSAGE_CHARS + 40).endsWith("more characters)");
        assertThat(PgMirror.oneLine("short\nmessage")).isEqualTo("short message");
    }
}
