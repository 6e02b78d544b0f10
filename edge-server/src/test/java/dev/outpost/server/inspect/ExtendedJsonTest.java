package dev.outpost.server.inspect;

import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExtendedJsonTest
{
    private static Value field(final String json, final String field) throws Exception
    {
        return ExtendedJson.document("T", new JsonObject(json)).fields().get(field);
    }

    @Test
    void shouldReadEveryCanonicalAndRelaxedType() throws Exception
    {
        assertThat(field("{\"v\":{\"$oid\":\"5f1b2c3d4e5f60718293a4b5\"}}", "v"))
            .isEqualTo(new Value.ObjectIdValue(HexFormat.of().parseHex("5f1b2c3d4e5f60718293a4b5")));
        assertThat(field("{\"v\":{\"$numberInt\":\"-7\"}}", "v")).isEqualTo(new Value.Int(-7));
        assertThat(field("{\"v\":{\"$numberLong\":\"9000000000\"}}", "v")).isEqualTo(new Value.Int(9_000_000_000L));
        assertThat(field("{\"v\":42}", "v")).isEqualTo(new Value.Int(42));
        assertThat(field("{\"v\":2.5}", "v")).isEqualTo(Value.DoubleValue.of(2.5));
        assertThat(field("{\"v\":{\"$numberDouble\":\"-Infinity\"}}", "v"))
            .isEqualTo(Value.DoubleValue.of(Double.NEGATIVE_INFINITY));
        assertThat(field("{\"v\":{\"$numberDouble\":\"NaN\"}}", "v")).isEqualTo(Value.DoubleValue.of(Double.NaN));
        assertThat(field("{\"v\":{\"$date\":{\"$numberLong\":\"-1\"}}}", "v"))
            .isEqualTo(new Value.Timestamp(-1, 999_000_000));
        assertThat(field("{\"v\":{\"$date\":\"2021-03-04T05:06:07.089Z\"}}", "v"))
            .isEqualTo(new Value.Timestamp(1_614_834_367L, 89_000_000));
        assertThat(field("{\"v\":{\"$numberDecimal\":\"-12.345\"}}", "v"))
            .isEqualTo(new Value.Decimal(12345, 0, -3, true));
        assertThat(field("{\"v\":{\"$binary\":{\"base64\":\"AQID\",\"subType\":\"00\"}}}", "v"))
            .isEqualTo(new Value.Bin(new byte[] {1, 2, 3}));
        final Value.UuidValue uuid = new Value.UuidValue(HexFormat.of().parseHex("0123456789abcdef0123456789abcdef"));
        assertThat(field("{\"v\":{\"$binary\":{\"base64\":\"ASNFZ4mrze8BI0VniavN7w==\",\"subType\":\"04\"}}}", "v"))
            .isEqualTo(uuid);
        assertThat(field("{\"v\":{\"$binary\":\"ASNFZ4mrze8BI0VniavN7w==\",\"$type\":\"04\"}}", "v")).isEqualTo(uuid);
        assertThat(field("{\"v\":{\"$uuid\":\"01234567-89ab-cdef-0123-456789abcdef\"}}", "v")).isEqualTo(uuid);
        assertThat(field("{\"v\":null}", "v")).isEqualTo(Value.Null.INSTANCE);
        final Value embedded = field("{\"v\":{\"city\":\"Oslo\",\"tags\":[1,2]}}", "v");
        assertThat(embedded).isInstanceOf(Value.Embedded.class);
        assertThat(((Value.Embedded)embedded).object().table()).isEqualTo("T_v");
        assertThat(((Value.Embedded)embedded).object().fields().get("tags")).isInstanceOf(Value.ListValue.class);
    }

    @Test
    void shouldRefuseWhatRealmCannotHold()
    {
        assertThatThrownBy(() -> field("{\"v\":{\"$regularExpression\":{\"pattern\":\"a\",\"options\":\"\"}}}", "v"))
            .isInstanceOf(ExtendedJson.Unsupported.class).hasMessageContaining("field 'v'")
            .hasMessageContaining("$regularExpression");
        assertThatThrownBy(() -> field("{\"v\":[[1]]}", "v")).hasMessageContaining("an array in an array");
        assertThatThrownBy(() -> field("{\"v\":{\"$numberDecimal\":\"NaN\"}}", "v"))
            .hasMessageContaining("Decimal128");
        assertThatThrownBy(() -> field("{\"v\":123456789012345678901234567890}", "v"))
            .hasMessageContaining("64 bits");
        assertThatThrownBy(() -> field("{\"v\":{\"$oid\":\"xyz\"}}", "v")).hasMessageContaining("malformed $oid");
        assertThatThrownBy(() -> field("{\"v\":{\"$binary\":{\"base64\":\"AQID\",\"subType\":\"80\"}}}", "v"))
            .hasMessageContaining("subtype 80");
    }

    @Test
    void shouldWriteWhatItReadsCanonicalAndRelaxed() throws Exception
    {
        final String doc = "{\"_id\":{\"$oid\":\"5f1b2c3d4e5f60718293a4b5\"},\"a\":{\"$numberInt\":\"3\"}," +
            "\"b\":{\"$numberLong\":\"9000000000\"},\"c\":{\"$numberDouble\":\"NaN\"},\"d\":{\"$numberDecimal\":" +
            "\"-12.345\"},\"e\":{\"$date\":{\"$numberLong\":\"1600000000123\"}},\"f\":{\"$binary\":{\"base64\":" +
            "\"ASNFZ4mrze8BI0VniavN7w==\",\"subType\":\"04\"}},\"g\":[{\"x\":{\"$numberDouble\":\"1.5\"}}],\"h\":null}";
        final ObjectData o = ExtendedJson.document("T", new JsonObject(doc));
        final StringBuilder canonical = new StringBuilder();
        ExtendedJson.write(o, false, canonical);
        assertThat(canonical.toString()).isEqualTo(doc);
        final StringBuilder relaxed = new StringBuilder();
        ExtendedJson.write(o, true, relaxed);
        assertThat(relaxed.toString()).contains("\"a\":3", "\"b\":9000000000", "\"e\":{\"$date\":\"2020-09-13T12:26:40.123Z\"}",
            "\"x\":1.5");
        assertThat(ExtendedJson.document("T", new JsonObject(relaxed.toString()))).isEqualTo(o);
    }
}
