package dev.outpost.server.ws;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SubprotocolNegotiatorTest
{
    private final SubprotocolNegotiator negotiator = SubprotocolNegotiator.standard();

    @Test
    void shouldPickTheHighestCommonVersionOfARealClientOffer()
    {
        final StringBuilder offer = new StringBuilder();
        for (int v = 14; v >= 2; v--)
        {
            offer.append(v == 14 ? "" : ", ").append("com.mongodb.realm-sync#").append(v);
        }

        final SubprotocolNegotiator.Result result = negotiator.negotiate(List.of(offer.toString()));

        assertThat(result.protocol()).isEqualTo(
            new NegotiatedProtocol(SyncMode.PBS, 14, "com.mongodb.realm-sync#14"));
    }

    @Test
    void shouldKeepTheFlxPrefix()
    {
        final SubprotocolNegotiator.Result result = negotiator.negotiate(
            List.of("com.mongodb.realm-query-sync#13, com.mongodb.realm-query-sync#12"));

        assertThat(result.protocol()).isEqualTo(
            new NegotiatedProtocol(SyncMode.FLX, 13, "com.mongodb.realm-query-sync#13"));
    }

    @Test
    void shouldCapAtTheServerMaximumAndAcceptRanges()
    {
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync#8-20")).protocol().responseToken())
            .isEqualTo("com.mongodb.realm-sync#14");
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync#16, com.mongodb.realm-sync#11"))
            .protocol().responseToken()).isEqualTo("com.mongodb.realm-sync#11");
    }

    @Test
    void shouldAcceptTheLegacySeparatorAndAnswerWithIt()
    {
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync/7")).protocol())
            .isEqualTo(new NegotiatedProtocol(SyncMode.PBS, 7, "com.mongodb.realm-sync/7"));
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync/2-6")).protocol().responseToken())
            .isEqualTo("com.mongodb.realm-sync/6");
    }

    @Test
    void shouldReadSeveralHeadersAndIgnoreUnknownTokens()
    {
        final SubprotocolNegotiator.Result result = negotiator.negotiate(
            List.of("chat, com.mongodb.realm-sync#9", "com.mongodb.realm-syncX, com.mongodb.realm-sync#10"));

        assertThat(result.protocol().version()).isEqualTo(10);
    }

    @Test
    void shouldPreferTheFirstOfferOnATie()
    {
        final SubprotocolNegotiator.Result result = negotiator.negotiate(
            List.of("com.mongodb.realm-query-sync#14, com.mongodb.realm-sync#14"));

        assertThat(result.protocol().mode()).isEqualTo(SyncMode.FLX);
    }

    @Test
    void shouldFailWithoutACommonVersion()
    {
        final SubprotocolNegotiator.Result result = negotiator.negotiate(List.of("com.mongodb.realm-sync#1"));

        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).contains("no version supported by both").contains("2-14").contains("1");
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync#15-30")).succeeded()).isFalse();
    }

    @Test
    void shouldFailWithoutAnOfferOrWithAMalformedOne()
    {
        assertThat(negotiator.negotiate(List.of()).error()).contains("missing");
        assertThat(negotiator.negotiate(List.of("chat")).error()).contains("missing");
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync#x")).error()).contains("malformed");
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync#9-3")).error()).contains("malformed");
        assertThat(negotiator.negotiate(List.of("com.mongodb.realm-sync#99999999999")).error())
            .contains("malformed");
    }
}
