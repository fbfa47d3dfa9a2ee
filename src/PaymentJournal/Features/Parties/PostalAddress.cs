using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Parties;

/// <summary>The address and contact fields of customers and vendors: the same names and lengths on both pages.</summary>
public static class PostalAddress
{
    public static FieldsBuilder<T> AddressFields<T>(this FieldsBuilder<T> fields) where T : IPostalAddress
    {
        static Expression<Func<T, string>> On(Expression<Func<IPostalAddress, string>> column) => ColumnOf<T>.Via(column);
        return fields
            .String("addressLine1", On(x => x.AddressLine1), 100)
            .String("addressLine2", On(x => x.AddressLine2), 50)
            .String("city", On(x => x.City), 30)
            .String("state", On(x => x.State), 30)
            .Code("country", On(x => x.Country), 10)
            .Code("postalCode", On(x => x.PostalCode), 20)
            .String("phoneNumber", On(x => x.PhoneNumber), 30)
            .String("email", On(x => x.Email), 80)
            .String("website", On(x => x.Website), 80);
    }

    /// <summary>Takes the fields <see cref="AddressFields"/> declares from a request body.</summary>
    public static void Apply(IPostalAddress a, Body b)
    {
        if (b.TryGet("addressLine1", out string a1)) a.AddressLine1 = a1;
        if (b.TryGet("addressLine2", out string a2)) a.AddressLine2 = a2;
        if (b.TryGet("city", out string city)) a.City = city;
        if (b.TryGet("state", out string state)) a.State = state;
        if (b.TryGet("country", out string country)) a.Country = country;
        if (b.TryGet("postalCode", out string postalCode)) a.PostalCode = postalCode;
        if (b.TryGet("phoneNumber", out string phone)) a.PhoneNumber = phone;
        if (b.TryGet("email", out string email)) a.Email = email;
        if (b.TryGet("website", out string website)) a.Website = website;
    }
}
